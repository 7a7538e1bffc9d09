"""The whole dossier (hồ sơ) of one assessment in one ZIP (issue 16, item 3)."""
