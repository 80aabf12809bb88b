"""My day: the person's day across her cases, and the counts beside the navigation."""
