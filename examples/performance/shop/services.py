"""Order services behind the shop's views: where the per-row queries hide."""

import logging

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from .models import Customer, Order, OrderLine, Product
from .models import Product as P

logger = logging.getLogger(__name__)
User = get_user_model()


def invoice_rows(orders):
    rows = []
    for order in orders:
        # one SELECT per order: the classic N+1
        customer = Customer.objects.get(id=order.customer_id)  # expect: PERF002
        rows.append((order.id, customer.name))
    return rows


def invoice_rows_batched(orders):
    customers = Customer.objects.in_bulk({o.customer_id for o in orders})
    return [(o.id, customers[o.customer_id].name) for o in orders]


def open_orders_by_customer(customer_ids):
    return {
        cid: Order.objects.filter(customer_id=cid, status="open").count()  # expect: PERF002
        for cid in customer_ids
    }


def order_lines(orders):
    out = []
    for order in orders:
        for line in OrderLine.objects.filter(order=order).select_related("product"):  # expect: PERF002
            out.append((order.id, line.product.sku, line.quantity))
    return out


def order_lines_prefetched(customer):
    # one query for the orders and one for all their lines
    orders = Order.objects.filter(customer=customer).prefetch_related("lines__product")
    return [(o.id, line.product.sku) for o in orders for line in o.lines.all()]


def staff_emails():
    # a literal list of two roles: not an N+1
    emails = []
    for role in ("admin", "support"):
        emails.extend(User.objects.filter(groups__name=role).values_list("email", flat=True))
    return emails


def import_prices(rows):
    for row in rows:
        P.objects.create(sku=row["sku"], price=row["price"])  # expect: PERF003


def import_prices_bulk(rows):
    Product.objects.bulk_create([Product(sku=r["sku"], price=r["price"]) for r in rows])


def close_stale_orders(cutoff):
    for order in Order.objects.filter(created__lt=cutoff, status="open"):
        order.status = "closed"
        order.save(update_fields=["status"])  # expect: PERF003


def close_stale_orders_in_one_update(cutoff):
    return Order.objects.filter(created__lt=cutoff, status="open").update(status="closed")


def restock(levels):
    with transaction.atomic():
        for sku, quantity in levels.items():
            Product.objects.filter(sku=sku).update(stock=quantity)  # expect: PERF003


def customer_has_orders(customer):
    orders = Order.objects.filter(customer=customer)
    if orders:  # expect: PERF005
        return True
    return False


def order_count(customer):
    return len(Order.objects.filter(customer=customer))  # expect: PERF005


def first_open_order(customer):
    # the queryset is used after the truth test: `if orders:` fills its cache
    orders = Order.objects.filter(customer=customer, status="open").order_by("created")
    if not orders:
        return None
    logger.info("customer %s has %d open orders", customer.pk, len(orders))
    return orders[0]


def has_open_orders(customer):
    return Order.objects.filter(customer=customer, status="open").exists()


def export_customers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM shop_customer ORDER BY id")  # expect: PERF004
        return cursor.fetchall()


def export_customer_emails():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, email FROM shop_customer ORDER BY id")
        return cursor.fetchall()


def raw_products():
    return list(Product.objects.raw("SELECT * FROM shop_product WHERE stock > 0"))  # expect: PERF004


def tag_images(images):
    # `save()` of objects that are not model instances is not a database write
    for image in images:
        image.save(image.filename)


def customer_label(customer_id):
    customer = Customer.objects.get(pk=customer_id)
    return f"{customer.name} <{customer.email}>"


def order_labels(orders):
    # the query is one call away, in the helper above
    return [customer_label(o.customer_id) for o in orders]  # expect: PERF002
