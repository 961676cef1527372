import PMProtocol
