import { execution } from "@dynatrace-sdk/automation-utils"

export default async function ({ execution_id }) {
  // The "config" task of the Business Data Generator workflow, as shipped with the
  // retail example. Only the constants below describe the journey.

  // Import the example dashboard as well.
  const EXAMPLE_DASHBOARD = true

  // Business Flow (and dashboard) name.
  const FLOW_NAME = "[RETAIL] eCommerce order delivery"

  // event.provider of every event.
  const EVENT_PROVIDER = "acme.retail"

  // Name of the correlation field carried by every event.
  const CORRELATION_ID = "order.id"

  // [pretty name, event.type, drop-off %, min hours, max hours, loops?, max loops]
  // The first step only uses its two names; the last step cannot loop.
  const PROCESS_STEPS = [
    ["Place order", "place.order"],
    ["Received in warehouse", "warehouse.received", 5, 0.1, 0.2, false, 1],
    ["Item picked", "item.picked", 1, 0.1, 0.2, true, 3],
    ["Order packed", "order.packed", 1, 1, 2, false, 1],
    ["Order shipped", "order.shipped", 5, 0.5, 1, false, 1],
    ["Delivery re-attempted", "delivery.reattempted", 5, 0.5, 1, false, 1],
    ["Order received", "order.received", 1, 0.1, 0.2],
  ]

  // [0-based step index, % of flows that take it]
  const OPTIONAL_STEP = [5, 40]

  // [location, %] (adds up to 100)
  const LOCATIONS_WITH_PERCENTAGE = [
    ["London", 25],
    ["Manchester", 20],
    ["Birmingham", 12],
    ["Newcastle", 10],
    ["Glasgow", 8],
    ["Portsmouth", 7],
    ["Reading", 6],
    ["Leicester", 5],
    ["Liverpool", 4],
    ["Leeds", 3],
  ]

  // 0-based steps that carry the location.
  const LOCATIONS = [0, 1]

  // [segment field name, [0-based steps that carry it]]
  const SEGMENT = ["loyalty", [0, 2]]

  // [segment value, %] (adds up to 100)
  const SEGMENTS = [
    ["gold", 60],
    ["silver", 20],
    ["bronze", 10],
    ["basic", 10],
  ]

  // [revenue field name, [0-based steps that carry it], min, max, KPI label]
  const REVENUE = ["order.value", [0], 100, 2000, "Revenue"]

  // [Dynatrace host id, %] (adds up to 100)
  const HOST_ENTITY = [
    ["HOST-218FBE0DE60A5B16", 50],
    ["HOST-DA9370FA4A602E97", 50],
  ]

  // [error name appended to the event.type, 0-based step, %]
  const ERRORS_WITH_PERCENTAGE = [["system.outage", 4, 10]]

  // [hour of day, % of traffic] (adds up to 100)
  const TIMES_OF_DAY = [
    [0, 1],
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 2],
    [5, 3],
    [6, 3],
    [7, 4],
    [8, 6],
    [9, 9],
    [10, 9],
    [11, 10],
    [12, 10],
    [13, 9],
    [14, 9],
    [15, 6],
    [16, 4],
    [17, 3],
    [18, 3],
    [19, 2],
    [20, 1],
    [21, 1],
    [22, 1],
    [23, 1],
  ]

  const VARIABLES = {
    EVENT_PROVIDER: EVENT_PROVIDER,
    PROCESS_STEPS: PROCESS_STEPS,
    LOCATIONS_WITH_PERCENTAGE: LOCATIONS_WITH_PERCENTAGE,
    SEGMENT: SEGMENT,
    SEGMENTS: SEGMENTS,
    HOST_ENTITY: HOST_ENTITY,
    CORRELATION_ID: CORRELATION_ID,
    ERRORS_WITH_PERCENTAGE: ERRORS_WITH_PERCENTAGE,
    TIMES_OF_DAY: TIMES_OF_DAY,
    FLOW_NAME: FLOW_NAME,
    REVENUE: REVENUE,
    LOCATIONS: LOCATIONS,
    OPTIONAL_STEP: OPTIONAL_STEP,
    EXAMPLE_DASHBOARD: EXAMPLE_DASHBOARD,
  }

  return VARIABLES
}
