#!/usr/bin/env node
// Drives a camera as an NVR using the npm `onvif` package would: connect (GetSystemDateAndTime,
// GetServices, profiles), device information and capabilities, stream and snapshot URIs over
// Media2 and Media, imaging get/set, a PTZ absolute move until idle, and a relay change seen on a
// pull point. Prints one JSON document on stdout; exit code 1 with {"error": ...} on any failure.
// Usage: node onvif_client.js HOST PORT USER PASSWORD
'use strict';

const { Cam } = require('onvif');

const [host, port, username, password] = process.argv.slice(2);
if (!password) {
	console.error('usage: onvif_client.js HOST PORT USER PASSWORD');
	process.exit(2);
}

// The package's methods call back (err, result, xml) with the camera as `this`.
function call(cam, method, ...args) {
	return new Promise((resolve, reject) => {
		cam[method](...args, (err, result) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve(result)));
	});
}

function connect() {
	return new Promise((resolve, reject) => {
		const cam = new Cam({ hostname: host, port: Number(port), username, password, timeout: 30000, autoconnect: false });
		cam.connect((err) => (err ? reject(new Error(`connect: ${err.message}`)) : resolve(cam)));
	});
}

// A raw request through the package's own transport and WS-Security header, for an operation it
// has no method for (Device SetRelayOutputState).
function request(cam, service, body) {
	return new Promise((resolve, reject) => {
		cam._request({ service, body: cam._envelopeHeader() + body + cam._envelopeFooter() },
			(err, result) => (err ? reject(new Error(`${service}: ${err.message}`)) : resolve(result)));
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function media(cam, report, key) {
	const profiles = await call(cam, 'getProfiles');
	const token = profiles[0].$.token;
	const stream = await call(cam, 'getStreamUri', { protocol: 'RTSP', profileToken: token });
	const snapshot = await call(cam, 'getSnapshotUri', { profileToken: token });
	report[key] = {
		profiles: profiles.map((profile) => profile.$.token),
		streamUri: stream.uri,
		snapshotUri: snapshot.uri,
	};
}

async function ptz(cam, report) {
	const token = cam.profiles.find((profile) => profile.PTZConfiguration || profile.configurations?.PTZ)?.$.token ??
		cam.profiles[0].$.token;
	const target = { x: 0.25, y: -0.2, zoom: 0 };
	await call(cam, 'absoluteMove', { profileToken: token, ...target });
	let status;
	for (const deadline = Date.now() + 20000; Date.now() < deadline; await sleep(100)) {
		status = await call(cam, 'getStatus', { profileToken: token });
		if (status.moveStatus?.panTilt === 'IDLE' || status.moveStatus === 'IDLE') break;
	}
	report.ptz = { profileToken: token, target, status };
}

async function imaging(cam, report) {
	const token = cam.activeSource.sourceToken;
	const before = await call(cam, 'getImagingSettings', { token });
	const brightness = Number(before.brightness) === 61 ? 62 : 61;
	await call(cam, 'setImagingSettings', { token, brightness });
	const after = await call(cam, 'getImagingSettings', { token });
	report.imaging = { token, before: Number(before.brightness), set: brightness, after: Number(after.brightness) };
}

async function events(cam, report) {
	await call(cam, 'createPullPointSubscription');
	const messages = [];
	const collect = (pulled) => {
		const list = pulled?.notificationMessage;
		for (const message of Array.isArray(list) ? list : list ? [list] : []) messages.push(message);
	};
	// The initial state of every property first, then the change this client makes.
	collect(await call(cam, 'pullMessages', {}));
	await request(cam, 'device',
		'<SetRelayOutputState xmlns="http://www.onvif.org/ver10/device/wsdl">' +
		'<RelayOutputToken>AlarmOut_1</RelayOutputToken><LogicalState>active</LogicalState></SetRelayOutputState>');
	const summary = (message) => ({
		topic: message.topic?._,
		operation: message.message?.message?.$?.PropertyOperation,
		source: message.message?.message?.source?.simpleItem?.$,
		data: message.message?.message?.data?.simpleItem?.$,
	});
	const relayChanged = (message) => {
		const { topic, operation, data } = summary(message);
		return topic === 'tns1:Device/Trigger/Relay' && operation === 'Changed' && data?.Value === 'active';
	};
	for (const deadline = Date.now() + 20000; Date.now() < deadline && !messages.some(relayChanged);)
		collect(await call(cam, 'pullMessages', {}));
	report.events = messages.map(summary);
	await call(cam, 'unsubscribe').catch(() => {});
}

async function main() {
	const cam = await connect();
	const report = {};
	report.deviceInformation = await call(cam, 'getDeviceInformation');
	const capabilities = await call(cam, 'getCapabilities');
	report.capabilities = Object.keys(capabilities);
	report.services = Object.keys(cam.uri);
	report.media2Support = Boolean(cam.media2Support);
	if (cam.media2Support) {
		await media(cam, report, 'media2');
		cam.media2Support = false;  // the same through Media (Profile S)
	}
	await media(cam, report, 'media');
	await imaging(cam, report);
	if (cam.uri.ptz) await ptz(cam, report);
	await events(cam, report);
	process.stdout.write(JSON.stringify(report, null, 1) + '\n');
}

main().then(() => process.exit(0), (err) => {
	process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
	process.exit(1);
});
