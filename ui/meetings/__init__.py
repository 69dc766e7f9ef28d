"""组织生活: the 组织生活登记 dialog (a meetings page comes with a later slice)."""
