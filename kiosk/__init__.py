"""长宁智能服务 kiosk: an offline voice and touch service-guide kiosk."""
__version__ = "0.1.0"
