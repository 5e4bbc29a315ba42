"""Views: some protected, some not."""

import subprocess

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView


def login_view(request):
    nxt = request.GET.get("next", "/")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("/")


@login_required
def order_detail(request, pk):
    return JsonResponse({"id": pk})


def export_orders(request):  # expect: AUTH001
    return JsonResponse({"orders": []})


@login_required
def ping(request):
    host = request.GET["host"]
    out = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, check=False)  # expect: SEC005
    return HttpResponse(out.stdout)


class ReportView(LoginRequiredMixin, TemplateView):
    template_name = "reports.html"


class ProfileView(TemplateView):  # expect: AUTH001
    template_name = "profile.html"
