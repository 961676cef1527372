print("pmctl: not built yet")
