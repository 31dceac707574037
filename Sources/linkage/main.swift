print("linkage")
