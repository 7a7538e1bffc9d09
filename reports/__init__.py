"""Report renderers (PDF, DOCX, XLSX) implementing the conversation layer's ports."""
