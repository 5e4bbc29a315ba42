"""Support tooling: `shop-admin resend ORDER`."""

import logging

import click

logger = logging.getLogger(__name__)


@click.group()
def cli():
    logging.basicConfig(level=logging.INFO)


@cli.command()
@click.argument("order_id")
def resend(order_id):
    print(f"re-sending receipt for {order_id}")
    logging.info("resend requested for %s", order_id)


def main():
    print("shop-admin: use --help")


def describe(order):
    print(f"order {order['id']}: {order['state']}")  # expect: OBS001

