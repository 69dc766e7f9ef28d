"""The year's record and the evaluation: notes, volunteer service, 双报到, rewards and discipline, dated
dues bases, and the evaluation year with grades, scores, star adjustments and certificate numbers.

Revision ID: 0006
Revises: 0005

New tables only; nothing is copied.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("star_certificates", "star_adjustments", "evaluation_scores", "evaluation_grades", "evaluation_years",
          "dues_bases", "rewards_discipline", "dual_reports", "volunteer_services", "annual_notes")


def upgrade() -> None:
    op.create_table('evaluation_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('scheme', sa.Text(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_evaluation_years'))
    )
    op.create_table('annual_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by', sa.String(length=64), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_annual_notes_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_notes')),
    sa.UniqueConstraint('member_id', 'year', 'kind', name='uq_annual_notes_member_year_kind')
    )
    op.create_index('ix_annual_notes_year_kind', 'annual_notes', ['year', 'kind'], unique=False)
    op.create_table('dual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('employer', sa.String(length=100), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('wishes', sa.Text(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dual_reports_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dual_reports'))
    )
    op.create_index('ix_dual_reports_member', 'dual_reports', ['member_id', 'reported_on'], unique=False)
    op.create_table('dues_bases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=8), nullable=False),
    sa.Column('base_fen', sa.Integer(), nullable=True),
    sa.Column('farmer_amount_fen', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dues_bases_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_bases')),
    sa.UniqueConstraint('member_id', 'effective_from', name='uq_dues_bases_member_from')
    )
    op.create_table('evaluation_grades',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_evaluation_grades_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['year'], ['evaluation_years.year'], name=op.f('fk_evaluation_grades_year_evaluation_years'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('year', 'member_id', name=op.f('pk_evaluation_grades'))
    )
    op.create_table('evaluation_scores',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=20), nullable=False),
    sa.Column('evaluator', sa.String(length=8), nullable=False),
    sa.Column('score_tenths', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_evaluation_scores_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['year'], ['evaluation_years.year'], name=op.f('fk_evaluation_scores_year_evaluation_years'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('year', 'member_id', 'criterion', 'evaluator', name=op.f('pk_evaluation_scores'))
    )
    op.create_table('rewards_discipline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_rewards_discipline_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rewards_discipline'))
    )
    op.create_index('ix_rewards_discipline_member', 'rewards_discipline', ['member_id', 'decided_on'], unique=False)
    op.create_table('star_adjustments',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('made_by', sa.String(length=64), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_star_adjustments_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['year'], ['evaluation_years.year'], name=op.f('fk_star_adjustments_year_evaluation_years'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('year', 'member_id', name=op.f('pk_star_adjustments'))
    )
    op.create_table('star_certificates',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_star_certificates_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['year'], ['evaluation_years.year'], name=op.f('fk_star_certificates_year_evaluation_years'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('year', 'member_id', name=op.f('pk_star_certificates')),
    sa.UniqueConstraint('number', name='uq_star_certificates_number')
    )
    op.create_table('volunteer_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('hours_tenths', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('hours_tenths > 0', name=op.f('ck_volunteer_services_positive_hours')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_volunteer_services_member_id_members'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_services'))
    )
    op.create_index('ix_volunteer_services_member_served', 'volunteer_services', ['member_id', 'served_on'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
