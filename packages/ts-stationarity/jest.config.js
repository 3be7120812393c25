module.exports = { ...require('../../jest.preset.js'), displayName: 'ts-stationarity' };
