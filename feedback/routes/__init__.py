"""feedback.routes.participant"""
