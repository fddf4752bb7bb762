"""WebSocket routes of the alerts app."""

from django.urls import path

from .consumers import AlertConsumer

websocket_urlpatterns = [
    path("ws/alerts/", AlertConsumer.as_asgi()),
]
