"""The Telegram channel: a thin aiogram adapter around the conversation service."""
