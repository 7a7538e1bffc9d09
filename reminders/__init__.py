"""Deadline pushes (issue 13): the calendar's deadlines turned into reminders, planned from each
unit's progress and delivered once, paced, through the channels' `Notifier` port."""
