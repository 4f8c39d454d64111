package transforms

// Plugin describes a built-in transformation or predicate: the Java class
// name of its Kafka Connect equivalent and how to make an instance. Exactly
// one of NewTransformation and NewPredicate is set.
type Plugin struct {
	Class             string
	NewTransformation func() Transformation
	NewPredicate      func() Predicate
}

// Version is the version the built-in transformations and predicates report.
const Version = "0.1.0"

// Package and class-name prefixes of Kafka Connect's built-ins.
const (
	javaPackage          = "org.apache.kafka.connect.transforms."
	javaPredicatePackage = "org.apache.kafka.connect.transforms.predicates."
)

// Builtins returns every built-in transformation and predicate.
func Builtins() []Plugin {
	var out []Plugin
	// keyValue registers the $Key and $Value variants of a transformation.
	keyValue := func(simple string, newT func(Side) Transformation) {
		for _, s := range []Side{Key, Value} {
			out = append(out, Plugin{Class: javaPackage + simple + "$" + s.String(), NewTransformation: func() Transformation { return newT(s) }})
		}
	}
	plain := func(simple string, newT func() Transformation) {
		out = append(out, Plugin{Class: javaPackage + simple, NewTransformation: newT})
	}
	predicate := func(simple string, newP func() Predicate) {
		out = append(out, Plugin{Class: javaPredicatePackage + simple, NewPredicate: newP})
	}
	// field transforms
	keyValue("Cast", newCast)
	keyValue("ExtractField", newExtractField)
	keyValue("Flatten", newFlatten)
	keyValue("HoistField", newHoistField)
	keyValue("MaskField", newMaskField)
	keyValue("ReplaceField", newReplaceField)
	plain("ValueToKey", newValueToKey)

	// routing, header and metadata transforms, predicates
	plain("DropHeaders", newDropHeaders)
	plain("Filter", newFilter)
	keyValue("HeaderFrom", newHeaderFrom)
	keyValue("InsertField", newInsertField)
	plain("InsertHeader", newInsertHeader)
	plain("RegexRouter", newRegexRouter)
	keyValue("SetSchemaMetadata", newSetSchemaMetadata)
	predicate("TopicNameMatches", newTopicNameMatches)
	predicate("HasHeaderKey", newHasHeaderKey)
	predicate("RecordIsTombstone", newRecordIsTombstone)

	// time transforms
	keyValue("TimestampConverter", newTimestampConverter)
	plain("TimestampRouter", newTimestampRouter)

	// Debezium's event flattening SMT, under its own class name
	out = append(out, Plugin{Class: ExtractNewRecordStateClass, NewTransformation: newExtractNewRecordState})

	return out
}
