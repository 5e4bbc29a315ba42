"""A SQLAlchemy repository for the billing service."""

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from billing.tables import Invoice, Payment, User


class InvoiceRepository:
    def __init__(self, session: Session):
        self.session = session

    def owners(self, invoices):
        # one SELECT per invoice
        return [self.session.get(User, inv.user_id) for inv in invoices]  # expect: PERF002

    def owners_in_one_query(self, invoices):
        ids = {inv.user_id for inv in invoices}
        return self.session.scalars(select(User).where(User.id.in_(ids))).all()

    def latest_payments(self, invoice_ids):
        latest = {}
        for invoice_id in invoice_ids:
            stmt = select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.created.desc()).limit(1)
            latest[invoice_id] = self.session.execute(stmt).scalar_one_or_none()  # expect: PERF002
        return latest

    def legacy_totals(self, users):
        return [
            self.session.query(Invoice).filter(Invoice.user_id == u.id).count()  # expect: PERF002
            for u in users
        ]

    def record_payments(self, rows):
        for row in rows:
            self.session.add(Payment(invoice_id=row["invoice"], amount=row["amount"]))  # only staged
            self.session.commit()  # expect: PERF003

    def record_payments_at_once(self, rows):
        self.session.add_all([Payment(invoice_id=r["invoice"], amount=r["amount"]) for r in rows])
        self.session.commit()

    def void(self, invoice_ids):
        for invoice_id in invoice_ids:
            self.session.execute(update(Invoice).where(Invoice.id == invoice_id).values(status="void"))  # expect: PERF003

    def void_in_one_statement(self, invoice_ids):
        self.session.execute(update(Invoice).where(Invoice.id.in_(invoice_ids)).values(status="void"))

    def purge(self, invoice_ids):
        self.session.execute(delete(Invoice).where(Invoice.id.in_(invoice_ids)))

    def overdue_count(self):
        return len(self.session.query(Invoice).filter(Invoice.status == "overdue").all())  # expect: PERF005

    def overdue_count_in_sql(self):
        return self.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.status == "overdue"))

    def export(self):
        return self.session.execute(text("SELECT * FROM invoices WHERE status = :s"), {"s": "open"}).all()  # expect: PERF004

    def export_columns(self):
        return self.session.execute(text("SELECT id, total FROM invoices WHERE status = :s"), {"s": "open"}).all()

    def batches(self, size=500):
        # keyset pagination: the next key comes from the rows just read
        last_id = 0
        while True:
            rows = self.session.execute(
                select(Invoice.id, Invoice.total).where(Invoice.id > last_id).order_by(Invoice.id).limit(size)
            ).all()
            if not rows:
                return
            yield rows
            last_id = rows[-1].id
