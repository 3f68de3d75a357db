package order

var state int

func Set() { state = 1 }

func Get() int {
	return state
}
