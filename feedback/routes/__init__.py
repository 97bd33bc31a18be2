"""The feedback layer's routers: the citizen journey, own data, kiosks, staff screens, widget, API, imports."""
