"""Third-party integrations: weather, maps and the CRM."""

from urllib.parse import urlencode

import httpx
import requests

from integrations.conf import CRM_BASE, MAPS_BASE, WEATHER_BASE

TIMEOUT = 10


def forecast(city, api_key):
    return httpx.get(f"{WEATHER_BASE}/forecast?city={city}&api_key={api_key}")  # expect: AUTH006, REL006


def geocode(address, maps_token):
    params = {"address": address, "key": maps_token}
    return requests.get(f"{MAPS_BASE}/geocode", params=params, timeout=TIMEOUT)  # expect: AUTH006


def crm_contacts(access_token):
    query = urlencode({"access_token": access_token, "limit": 100})
    return requests.get(f"{CRM_BASE}/contacts?" + query, timeout=TIMEOUT)  # expect: AUTH006


def forecast_with_header(city, api_key):
    return httpx.get(f"{WEATHER_BASE}/forecast", params={"city": city}, headers={"Authorization": f"Bearer {api_key}"})


def crm_page(access_token, page_token):
    return requests.get(f"{CRM_BASE}/contacts", params={"page_token": page_token, "limit": 100},
                        headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)


def refresh(client_id, refresh_token):
    return requests.post(f"{CRM_BASE}/oauth/token", data={"client_id": client_id, "refresh_token": refresh_token},
                         timeout=TIMEOUT)
