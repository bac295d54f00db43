"""Agents and leases: the agents table; a stage's clone options, lease, last contact, cancel flag.

Revision ID: 0002 (written from store/models.py; tests/server/test_startup.py checks the match).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("os", sa.String(length=50), nullable=False),
        sa.Column("arch", sa.String(length=50), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("running", sa.Text(), nullable=False),
        sa.Column("types", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.Float(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("name", name=op.f("uq_agents_name")),
    )
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clone_json", sa.Text(), server_default="{}", nullable=False))
        batch_op.add_column(
            sa.Column("lease_until", sa.Float(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("contact", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("cancel", sa.Boolean(), server_default="0", nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("stages", schema=None) as batch_op:
        batch_op.drop_column("cancel")
        batch_op.drop_column("contact")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("clone_json")
    op.drop_table("agents")
