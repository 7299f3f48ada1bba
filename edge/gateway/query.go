package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// strictQueryParser is runtime.DefaultQueryParser that refuses query parameters naming no
// field of the request, as Envoy's transcoder does (ignore_unknown_query_parameters: false),
// instead of silently dropping them: a mistyped filter must not turn into "no filter".
type strictQueryParser struct {
	runtime.DefaultQueryParser
}

var mapKeySuffix = regexp.MustCompile(`^(.*)\[(.*)\]$`)

func (p *strictQueryParser) Parse(msg proto.Message, values url.Values, filter *utilities.DoubleArray) error {
	for key := range values {
		fieldKey := key
		if m := mapKeySuffix.FindStringSubmatch(key); len(m) == 3 {
			fieldKey = m[1]
		}
		if err := checkFieldPath(msg.ProtoReflect().Descriptor(), strings.Split(fieldKey, ".")); err != nil {
			return fmt.Errorf("query parameter %q: %w", key, err)
		}
	}
	return p.DefaultQueryParser.Parse(msg, values, filter)
}

func checkFieldPath(md protoreflect.MessageDescriptor, path []string) error {
	for i, name := range path {
		fd := md.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			fd = md.Fields().ByJSONName(name)
		}
		if fd == nil {
			return fmt.Errorf("no field %q in %s", name, md.FullName())
		}
		if i < len(path)-1 {
			if fd.Message() == nil || fd.IsList() || fd.IsMap() {
				return fmt.Errorf("field %q of %s has no subfields", name, md.FullName())
			}
			md = fd.Message()
		}
	}
	return nil
}
