"""Configuration of the payment examples (endpoints live here, in one place)."""

GATEWAY_URL = "https://gateway.example.com/v2"
RATES_URL = "https://rates.example.com/v1"
TIMEOUT = (3.05, 10)
