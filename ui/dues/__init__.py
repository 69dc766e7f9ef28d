"""党费: the 党费登记 dialog (a dues page comes with a later slice)."""
