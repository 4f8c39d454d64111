package datagen_test

import (
	"testing"

	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/connectors/datagen"
	"github.com/sluicehq/sluice/plugins"
)

func TestAcceptance(t *testing.T) {
	connectortest.Source(t, connectortest.SourceConfig{
		Plugin: plugins.Plugin{Class: datagen.Class, Kind: plugins.Source, Version: datagen.Version, New: func() any { return datagen.New() }},
		Props: func(*testing.T) map[string]string {
			return map[string]string{
				datagen.KafkaTopicKey:  "users",
				datagen.QuickstartKey:  "users",
				datagen.MaxIntervalKey: "0",
				datagen.RandomSeedKey:  "42",
			}
		},
		BadProps: []connectortest.BadProps{
			{Props: map[string]string{datagen.KafkaTopicKey: "users", datagen.QuickstartKey: "no-such-quickstart"}, Key: datagen.QuickstartKey},
		},
	})
}
