"""The static site for citizens: 公表 approval, pages, open data and the `publish` command."""
