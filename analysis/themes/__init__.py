"""analysis.themes.clustering"""
