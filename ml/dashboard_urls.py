"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

urlpatterns: list = []
