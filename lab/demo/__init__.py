"""lab.demo.loader"""
