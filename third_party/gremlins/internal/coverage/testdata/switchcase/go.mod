module example.com/switchcase

go 1.25
