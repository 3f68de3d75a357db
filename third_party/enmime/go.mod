module github.com/jhillyerd/enmime/v2

go 1.24.3

toolchain go1.24.4

require (
	github.com/cention-sany/utf7 v0.0.0-20170124080048-26cad61bd60a
	github.com/go-test/deep v1.1.1
	github.com/gogs/chardet v0.0.0-20211120154057-b7413eaefb8f
	github.com/pkg/errors v0.9.1
	github.com/stretchr/testify v1.11.1
	golang.org/x/text v0.34.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
