/**
 * Alerts: {@link dev.costwise.llm.alert.AlertRule}s over spend, cache hit rate, error rate, budget utilization and
 * silent model downgrades ({@link dev.costwise.llm.alert.AlertRules#specDefaults()} are the spec's thresholds), judged
 * by an {@link dev.costwise.llm.alert.AlertEvaluator} as events arrive, with a cool-down per rule, and sent to a log,
 * a Slack-compatible webhook or PagerDuty without ever blocking a request.
 */
package dev.costwise.llm.alert;
