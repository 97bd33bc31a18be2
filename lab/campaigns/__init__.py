"""lab.campaigns"""
