"""The dossier's review (issue 15): a unit admin submits, the receiving office's reviewer returns
it with a reason or recognises it, and the people concerned are told in their chat.

A use case beside `reminders`: it knows the ports it is given (`review.ports`), never a channel
library, the database or the web framework.
"""
