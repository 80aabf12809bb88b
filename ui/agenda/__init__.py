"""The Appointments section: day and week agenda, booking dialog, printed day list.

``common.py`` also holds the table model and widgets the other cross-case pages share
(deadlines, referrals, partners, administration).
"""
