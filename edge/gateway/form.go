package main

import (
	"fmt"
	"io"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
)

// formContentType is what an HTML form posts (the login page, AuthService.SubmitLoginPage).
const formContentType = "application/x-www-form-urlencoded"

// maxFormBytes bounds a form body read whole; the login form is a few hundred bytes.
const maxFormBytes = 64 << 10

// formBodyMarshaler reads a form-encoded body into the request's google.api.HttpBody field as it
// is (raw bytes plus their content type), as Envoy's transcoder does, so a service sees the same
// message from both edges. Responses and errors are marshalled like every other request's.
type formBodyMarshaler struct {
	*runtime.HTTPBodyMarshaler
}

func (m *formBodyMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		data, err := io.ReadAll(io.LimitReader(r, maxFormBytes+1))
		if err != nil {
			return err
		}
		if len(data) > maxFormBytes {
			return fmt.Errorf("form body over %d bytes", maxFormBytes)
		}
		body := &httpbody.HttpBody{ContentType: formContentType, Data: data}
		switch target := v.(type) {
		case **httpbody.HttpBody:
			*target = body
		case *httpbody.HttpBody:
			target.ContentType, target.Data = body.ContentType, body.Data
		default:
			return fmt.Errorf("%s is accepted only where the contract takes a raw body", formContentType)
		}
		return nil
	})
}
