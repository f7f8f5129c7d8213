import Foundation
import Logging
import SeccamEngine
import SeccamSpool

/// The webhook and MQTT notifiers a `run` config asks for, as `run` and `upload --config` use them.
///
/// With a spool, webhooks not yet delivered wait on disk in `<spool>/notifications/<role>/`: one folder per
/// process role, so `run` and a separate `upload` process never both send the same kept notification.
struct Notifiers {
    let webhook: WebhookNotifier?
    let mqtt: MQTTNotifier?

    /// - Throws: ``CommandFailure`` naming the config section when a notifier cannot start.
    init(settings: ServiceConfiguration, spool: SpoolDirectory?, role: String, logger: Logger) throws {
        webhook = try settings.webhook?.notifierConfiguration.map { configuration -> WebhookNotifier in
            guard let spool else { return WebhookNotifier(configuration: configuration, logger: logger) }
            let folder = (spool.root as NSString).appendingPathComponent("notifications/\(role)")
            do { return try WebhookNotifier(configuration: configuration, logger: logger, keepingUndeliveredIn: folder) } catch {
                throw CommandFailure("webhook: \(error)")
            }
        }
        mqtt = try settings.mqtt.map { configuration in
            do { return try MQTTNotifier(configuration: configuration, logger: logger) } catch { throw CommandFailure("mqtt: \(error)") }
        }
    }

    /// Sends `event` to the webhook and as an MQTT event.
    func send(_ event: WebhookEvent) {
        webhook?.notify(event)
        mqtt?.publishEvent(event)
    }

    /// An uploader callback that announces each delivered clip (`clip.uploaded`).
    var announceUploads: @Sendable (SpoolManifest) -> Void {
        { [webhook, mqtt] manifest in
            let event = WebhookEvent.clipUploaded(manifest)
            webhook?.notify(event)
            mqtt?.publishEvent(event)
        }
    }

    /// Gives the webhook sender and the MQTT client up to `seconds` to deliver what is queued (webhooks left over
    /// stay kept on disk, with a spool), then stops the webhook sender.
    func finish(waitingUpTo seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        mqtt?.waitUntilAcknowledged(timeout: seconds)
        guard let webhook else { return }
        while !webhook.isIdle, Date() < deadline { usleep(50_000) }
        webhook.stop()
    }
}
