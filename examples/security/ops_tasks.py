"""Maintenance tasks run by the ops worker: backups, DNS checks, calls to internal services."""

import logging
import os
import shlex
import ssl
import subprocess

import httpx
import requests
import urllib3

logger = logging.getLogger(__name__)

BACKUP_DIR = "/var/backups/shop"
TIMEOUT = 10


def backup_database(db_name):
    subprocess.run(f"pg_dump {db_name} | gzip > {BACKUP_DIR}/{db_name}.sql.gz", shell=True, check=True)  # expect: SEC002


def check_host(host):
    return os.system("ping -c 1 " + host)  # expect: SEC002


def disk_usage():
    return subprocess.check_output("df -h / | tail -1", shell=True, text=True)


def backup_database_safely(db_name):
    subprocess.run(f"pg_dump {shlex.quote(db_name)} | gzip > {BACKUP_DIR}/out.sql.gz", shell=True, check=True)


def rotate_logs(service):
    subprocess.run(["logrotate", "--force", f"/etc/logrotate.d/{service}"], check=True)


def fetch_inventory(base_url):
    return requests.get(f"{base_url}/inventory", verify=False, timeout=TIMEOUT)  # expect: SEC004, REL006


def internal_client(base_url):
    return httpx.Client(base_url=base_url, verify=False)  # expect: SEC004


def legacy_pool():
    return urllib3.PoolManager(cert_reqs="CERT_NONE", timeout=TIMEOUT)  # expect: SEC004


def fetch_inventory_with_ca(base_url, ca_bundle):
    return requests.get(f"{base_url}/inventory", verify=ca_bundle, timeout=TIMEOUT)


def tls_context(verify: bool):
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
