"""certificates without GSTINs: a deletion certificate names the supplier profile it kept the
GST registration of, never the GSTIN (the certificate lies outside the archive, forever)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:30:00

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

requests = sa.table(
    "privacy_requests",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("certificate", sa.JSON),
)
profiles = sa.table(
    "supplier_profiles", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer)
)
archive = sa.table(
    "privacy_archive",
    sa.column("id", sa.Integer),
    sa.column("subject_id", sa.Integer),
    sa.column("reference", sa.String),
)


def _reference(profile_of, user_id):
    return f"supplier:{profile_of.get(user_id, 'erased')}"


def upgrade():
    bind = op.get_bind()
    profile_of = dict(bind.execute(sa.select(profiles.c.user_id, profiles.c.id)).all())
    rows = bind.execute(
        sa.select(requests.c.id, requests.c.user_id, requests.c.certificate).where(
            requests.c.certificate.is_not(None)
        )
    ).all()
    for row in rows:
        certificate = row.certificate
        if isinstance(certificate, str):
            certificate = json.loads(certificate)
        kept = certificate.get("kept") or []
        stale = [item for item in kept if str(item.get("reference", "")).startswith("gstin:")]
        for item in stale:
            item["reference"] = _reference(profile_of, row.user_id)
        if stale:
            bind.execute(
                requests.update().where(requests.c.id == row.id).values(certificate=certificate)
            )
    # The archive's own record says the same, so that the officer's list and the certificate agree.
    for record in bind.execute(
        sa.select(archive.c.id, archive.c.subject_id).where(archive.c.reference.like("gstin:%"))
    ).all():
        bind.execute(
            archive.update()
            .where(archive.c.id == record.id)
            .values(reference=_reference(profile_of, record.subject_id))
        )


def downgrade():
    # The GSTIN is not written back outside the archive: that was the defect.
    pass
