"""analysis.reports.report"""
