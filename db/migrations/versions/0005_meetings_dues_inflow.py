"""Meetings and dues (first slice), inflow members, home services, 失联处置; the ledger's flags become records.

Revision ID: 0005
Revises: 0004

The ledger's 是否流动党员 / 外出流向 / 是否失联党员 become values derived from the floating records:
each member flagged 流动 without an open record gets one marked 待补全 (incomplete) dated the day of
this migration — the day records began, so the contact clock starts then — with the old 外出流向 as
its address; each member flagged 失联 gets a 确认失联 event with the old date (or today), marked
to be confirmed. The plain columns stay: the application now writes them from the records.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MIGRATED_NOTE = "由台账“是否流动党员”标记转入，外出日期等信息待补全"
LOST_NOTE = "由台账“是否失联党员”标记转入，待确认"


def upgrade() -> None:
    op.create_table(
        "inflow_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("name_sort", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(2), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("home_org", sa.String(100), nullable=False),
        sa.Column("home_org_contact", sa.String(100), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=False),
        sa.Column("certificate_kind", sa.String(20), nullable=False),
        sa.Column("certificate_no", sa.String(40), nullable=False),
        sa.Column("certificate_valid_until", sa.Date(), nullable=True),
        sa.Column("host_org_id", sa.Integer(), nullable=True),
        sa.Column("building", sa.String(50), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("employer", sa.String(100), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["host_org_id"], ["organizations.id"],
                                name="fk_inflow_members_host_org_id_organizations", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_inflow_members"),
    )
    op.create_index("ix_inflow_members_id_number", "inflow_members", ["id_number"])
    op.create_index("ix_inflow_members_host_org_id", "inflow_members", ["host_org_id"])
    op.create_index("ix_inflow_members_left_name", "inflow_members", ["left_on", "name_sort"])

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name="fk_meetings_org_id_organizations",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
    )
    op.create_index("ix_meetings_held_on", "meetings", ["held_on"])
    op.create_index("ix_meetings_org_held", "meetings", ["org_id", "held_on"])

    op.create_table(
        "meeting_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("inflow_id", sa.Integer(), nullable=True),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("absence_reason", sa.String(100), nullable=False),
        sa.CheckConstraint("(member_id IS NULL) <> (inflow_id IS NULL)", name=op.f("ck_meeting_attendees_one_person")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name="fk_meeting_attendees_meeting_id_meetings",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_meeting_attendees_member_id_members",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["inflow_id"], ["inflow_members.id"],
                                name="fk_meeting_attendees_inflow_id_inflow_members", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_attendees"),
        sa.UniqueConstraint("meeting_id", "member_id", name="uq_meeting_attendees_member"),
        sa.UniqueConstraint("meeting_id", "inflow_id", name="uq_meeting_attendees_inflow"),
    )
    op.create_index("ix_meeting_attendees_member", "meeting_attendees", ["member_id", "present", "meeting_id"])
    op.create_index("ix_meeting_attendees_inflow", "meeting_attendees", ["inflow_id", "meeting_id"])

    op.create_table(
        "dues_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_dues_payments_positive_amount")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_dues_payments_member_id_members",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_dues_payments"),
        sa.UniqueConstraint("member_id", "period", name="uq_dues_payments_member_period"),
    )
    op.create_index("ix_dues_payments_period", "dues_payments", ["period"])
    op.create_index("ix_dues_payments_member_paid", "dues_payments", ["member_id", "paid_on"])

    op.create_table(
        "home_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("inflow_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("result", sa.String(200), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("(member_id IS NULL) <> (inflow_id IS NULL)", name=op.f("ck_home_services_one_person")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_home_services_member_id_members",
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["inflow_id"], ["inflow_members.id"],
                                name="fk_home_services_inflow_id_inflow_members", ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_home_services"),
    )
    op.create_index("ix_home_services_served_on", "home_services", ["served_on"])
    op.create_index("ix_home_services_member", "home_services", ["member_id", "served_on"])
    op.create_index("ix_home_services_inflow", "home_services", ["inflow_id", "served_on"])

    op.create_table(
        "lost_contact_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("to_confirm", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_lost_contact_events_member_id_members",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_lost_contact_events"),
    )
    op.create_index("ix_lost_contact_events_member", "lost_contact_events", ["member_id", "happened_on"])

    op.add_column("contact_logs", sa.Column("is_report", sa.Boolean(), nullable=False, server_default=sa.false()))

    today = date.today().isoformat()
    stamp = f"{today} 00:00:00"
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO floating_records(member_id, destination_province, destination_city, destination_address,"
            " employer, reason, left_on, expected_return_on, returned_on, host_org, host_contact, management_mode,"
            " certificate_no, certificate_issued_on, certificate_valid_until, incomplete, note, created_at)"
            " SELECT m.id, '', '', m.floating_destination, '', '', :today, NULL, NULL, '', '', '', '', NULL, NULL,"
            " 1, :note, :stamp FROM members m"
            " WHERE m.floating = 1 AND m.status = '在册' AND NOT EXISTS (SELECT 1 FROM floating_records r"
            "  WHERE r.member_id = m.id AND r.returned_on IS NULL)"
        ),
        {"today": today, "note": MIGRATED_NOTE, "stamp": stamp},
    )
    conn.execute(
        sa.text(
            "INSERT INTO lost_contact_events(member_id, kind, happened_on, note, made_by, to_confirm, created_at)"
            " SELECT m.id, '确认失联', COALESCE(m.lost_contact_on, :today), :note, '', 1, :stamp FROM members m"
            " WHERE m.lost_contact = 1"
        ),
        {"today": today, "note": LOST_NOTE, "stamp": stamp},
    )
    conn.execute(sa.text("UPDATE members SET lost_contact_on = :today WHERE lost_contact = 1 AND lost_contact_on IS NULL"),
                 {"today": today})


def downgrade() -> None:
    with op.batch_alter_table("contact_logs") as batch:
        batch.drop_column("is_report")
    for table in ("lost_contact_events", "home_services", "dues_payments", "meeting_attendees", "meetings",
                  "inflow_members"):
        op.drop_table(table)
