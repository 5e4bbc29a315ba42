"""DRF viewsets: the project default (IsAuthenticated) applies unless a view opts out."""

from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


class InvoiceViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response([])


class StatusViewSet(viewsets.ViewSet):  # expect: AUTH001
    permission_classes = [AllowAny]

    def list(self, request):
        return Response({"status": "ok"})
