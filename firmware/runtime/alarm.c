/*
 * The alarm rule on the stream of window decisions: the C twin of alarmWindows in
 * packages/core/src/evaluate/alarms.ts (the rule evaluate scores with; see that file and tinyml_runtime.h).
 * Per event: an alarm when at least k of the last n windows were decided as the event and at least
 * refractory_samples samples have passed since that event's last alarm (counted between window ends).
 */
#include "tinyml_runtime.h"

void tinyml_alarm_init(tinyml_alarm_t *alarm, int32_t k, int32_t n, int32_t refractory_samples, int32_t events,
                       uint8_t *history, int32_t *votes, int32_t *hold)
{
    alarm->k = k;
    alarm->n = n;
    alarm->refractory_samples = refractory_samples;
    alarm->events = events;
    alarm->history = history;
    alarm->votes = votes;
    alarm->hold = hold;
    tinyml_alarm_reset(alarm);
}

void tinyml_alarm_reset(tinyml_alarm_t *alarm)
{
    for (int32_t i = 0; i < alarm->n; i++) {
        alarm->history[i] = 0u;
    }
    for (int32_t j = 0; j < alarm->events; j++) {
        alarm->votes[j] = 0;
        alarm->hold[j] = 0;
    }
    alarm->next = 0;
}

int32_t tinyml_alarm_update(tinyml_alarm_t *alarm, int32_t decision, int32_t elapsed_samples, uint8_t *alarms)
{
    /* The window leaving the last n (n windows ago; 0 before the recording had n windows) gives back its vote. */
    const int32_t leaving = (int32_t)alarm->history[alarm->next];
    if (leaving != 0) {
        alarm->votes[leaving - 1]--;
    }
    const int32_t event = decision >= 1 && decision <= alarm->events ? decision : 0;
    alarm->history[alarm->next] = (uint8_t)event;
    if (event != 0) {
        alarm->votes[event - 1]++;
    }
    alarm->next = alarm->next + 1 == alarm->n ? 0 : alarm->next + 1;

    const int32_t elapsed = elapsed_samples > 0 ? elapsed_samples : 0;
    int32_t raised = 0;
    for (int32_t j = 0; j < alarm->events; j++) {
        /* hold: samples until event j may alarm again (0: now); no overflow, both are ≥ 0. */
        alarm->hold[j] = alarm->hold[j] > elapsed ? alarm->hold[j] - elapsed : 0;
        const int32_t now = alarm->votes[j] >= alarm->k && alarm->hold[j] == 0;
        alarms[j] = (uint8_t)now;
        if (now) {
            alarm->hold[j] = alarm->refractory_samples;
            raised++;
        }
    }
    return raised;
}
