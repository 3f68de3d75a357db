package notest

func One() int {
	return 1
}
