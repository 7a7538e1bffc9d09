"""The HTTP backend: one ASGI app (FastAPI on uvicorn) for the channels' webhooks, signed
report links, health and metrics. It knows no channel library: each channel mounts its own
routes, and the composition root (`bot.serve`) passes in what the app needs."""
