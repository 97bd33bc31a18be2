"""lab.campaigns.routes"""
