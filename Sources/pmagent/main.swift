print("pmagent: not built yet")
