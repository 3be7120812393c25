module.exports = { ...require('../../jest.preset.js'), displayName: 'eb-criteria' };
