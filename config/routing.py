"""WebSocket routes. Each app lists its own in <app>/routing.py."""

from alerts.routing import websocket_urlpatterns as alert_routes

websocket_urlpatterns = [*alert_routes]
