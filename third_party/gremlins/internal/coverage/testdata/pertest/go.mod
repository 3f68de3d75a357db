module example.com/pertest

go 1.25
