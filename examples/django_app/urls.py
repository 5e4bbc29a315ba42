"""URL configuration."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api, views

router = DefaultRouter()
router.register("invoices", api.InvoiceViewSet, basename="invoice")
router.register("service-status", api.StatusViewSet, basename="status")

urlpatterns = [
    path("login/", views.login_view),
    path("orders/<int:pk>/", views.order_detail),
    path("orders/export/", views.export_orders),
    path("ping/", views.ping),
    path("reports/", views.ReportView.as_view()),
    path("profile/", views.ProfileView.as_view()),
    path("api/", include(router.urls)),
]
